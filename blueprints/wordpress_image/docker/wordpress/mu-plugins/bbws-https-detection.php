<?php
/**
 * Plugin Name: BBWS HTTPS detection
 * Description: Requests that reached the load balancer or CloudFront over HTTPS are HTTPS here too
 *              (X-Forwarded-Proto, CloudFront-Forwarded-Proto), so WordPress builds https:// URLs
 *              and does not loop on redirects behind TLS termination.
 * Version:     1.0.0
 * Author:      Big Beard Web Solutions
 *
 * Installed by the image (owned by www-data); not a plugin to activate.
 *
 * @package BBWS
 */

defined( 'ABSPATH' ) || exit;

( static function () {
	$headers = array( 'HTTP_X_FORWARDED_PROTO', 'HTTP_CLOUDFRONT_FORWARDED_PROTO' );
	foreach ( $headers as $header ) {
		if ( empty( $_SERVER[ $header ] ) || ! is_string( $_SERVER[ $header ] ) ) {
			continue;
		}
		// A proxy chain may list several protocols ("https, http"): the first is the client's.
		$parts = explode( ',', $_SERVER[ $header ] );
		if ( 'https' === strtolower( trim( $parts[0] ) ) ) {
			$_SERVER['HTTPS']       = 'on';
			$_SERVER['SERVER_PORT'] = '443';
			return;
		}
	}
} )();
