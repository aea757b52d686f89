"""A Terraform plugin-protocol-6 server that plays ``hashicorp/aws`` 6.25.0 offline (tests only).

Terraform starts it through go-plugin: the magic cookie is checked, a TLS certificate is made for
this process and sent in the handshake line ``1|6|unix|SOCKET|grpc|CERT`` (AutoMTLS: Terraform
trusts exactly that certificate). The client certificate Terraform offers (``PLUGIN_CLIENT_CERT``)
is not required, see :func:`_server_credentials`.

What it does:
- GetProviderSchema: the typed schema (:mod:`.schema`), so Terraform core checks every argument
  name, block, required argument, nesting/min/max items, value type and every attribute reference.
- Validate*Config: accepts everything; ConfigureProvider remembers ``allowed_account_ids`` and ``region``.
- PlanResourceChange: the proposed state with every computed attribute the configuration leaves
  null planned as unknown.
- ReadDataSource: deterministic fakes for computed attributes (``aws_caller_identity.account_id`` =
  ``allowed_account_ids[0]``, ``aws_partition.partition`` = ``aws``, ``aws_iam_policy_document.json``
  rendered from its statements, ``aws_ssm_parameter.value`` an ARN-like string).
- ApplyResourceChange fills unknowns with fakes; ReadResource returns the state; ImportResourceState
  returns ``{id}``; UpgradeResourceState re-reads the JSON state.

What it can NOT catch (everything the real provider or AWS decides): AWS-side validation (name
formats and lengths, ARN shapes, regions, quotas, existence of referenced things), IAM policy
semantics, the provider's plan-time validators (enums such as ``runtime``, ranges such as
``memory_size``, regex checks), ConflictsWith/ExactlyOneOf/AtLeastOneOf/RequiredWith rules,
default values the provider would plan (an unset optional argument stays null, or unknown when
it is optional+computed), CustomizeDiff logic and forced replacements, and the difference between
framework nested attributes and blocks (both are blocks here).
"""

from __future__ import annotations

import base64
import json
import os
import sys
import tempfile
from concurrent import futures
from datetime import datetime, timedelta, timezone
from typing import Any

import grpc
import msgpack
from tf.gen import grpc_controller_pb2 as controller_pb
from tf.gen import grpc_controller_pb2_grpc as controller_rpc
from tf.gen import grpc_stdio_pb2_grpc as stdio_rpc
from tf.gen import tfplugin_pb2 as pb
from tf.gen import tfplugin_pb2_grpc as rpc
from tf.types import Unknown
from tf.utils import read_dynamic_value, to_dynamic_value

from . import schema
from .values import Faker, fill_object, plan_object, policy_document_json

MAGIC_COOKIE_KEY = "TF_PLUGIN_MAGIC_COOKIE"
MAGIC_COOKIE_VALUE = "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2"


def _dv(value: Any) -> pb.DynamicValue:
    return to_dynamic_value(value) if value is not None else pb.DynamicValue(msgpack=msgpack.packb(None))


class OfflineAws(rpc.ProviderServicer):
    def __init__(self, stop: Any) -> None:
        self.faker = Faker()
        self._stop = stop

    # -- schema and configuration --------------------------------------------------------------
    def GetMetadata(self, request: Any, context: Any) -> Any:
        data = schema.load()
        return pb.GetMetadata.Response(
            server_capabilities=pb.ServerCapabilities(plan_destroy=True),
            resources=[pb.GetMetadata.ResourceMetadata(type_name=n) for n in data["resources"]],
            data_sources=[pb.GetMetadata.DataSourceMetadata(type_name=n) for n in data["data_sources"]],
        )

    def ValidateProviderConfig(self, request: Any, context: Any) -> Any:
        return pb.ValidateProviderConfig.Response()

    def ValidateResourceConfig(self, request: Any, context: Any) -> Any:
        return pb.ValidateResourceConfig.Response()

    def ValidateDataResourceConfig(self, request: Any, context: Any) -> Any:
        return pb.ValidateDataResourceConfig.Response()

    def ConfigureProvider(self, request: Any, context: Any) -> Any:
        config = read_dynamic_value(request.config) or {}
        accounts = config.get("allowed_account_ids")
        region = config.get("region")
        if isinstance(accounts, list) and accounts and isinstance(accounts[0], str):
            self.faker.account_id = sorted(accounts)[0]
        if isinstance(region, str):
            self.faker.region = region
        return pb.ConfigureProvider.Response()

    def StopProvider(self, request: Any, context: Any) -> Any:
        return pb.StopProvider.Response()

    # -- resources -------------------------------------------------------------------------------
    def UpgradeResourceState(self, request: Any, context: Any) -> Any:
        raw = request.raw_state.json
        state = json.loads(raw) if raw else None
        return pb.UpgradeResourceState.Response(upgraded_state=_dv(state))

    def ReadResource(self, request: Any, context: Any) -> Any:
        return pb.ReadResource.Response(new_state=request.current_state, private=request.private)

    def PlanResourceChange(self, request: Any, context: Any) -> Any:
        proposed = read_dynamic_value(request.proposed_new_state)
        if proposed is None:  # destroy
            return pb.PlanResourceChange.Response(planned_state=request.proposed_new_state)
        config = read_dynamic_value(request.config)
        planned = plan_object(schema.resource(request.type_name), config, proposed)
        return pb.PlanResourceChange.Response(planned_state=_dv(planned), planned_private=request.prior_private)

    def ApplyResourceChange(self, request: Any, context: Any) -> Any:
        planned = read_dynamic_value(request.planned_state)
        if planned is None:
            return pb.ApplyResourceChange.Response(new_state=request.planned_state)
        new = fill_object(schema.resource(request.type_name), planned, request.type_name, self.faker)
        return pb.ApplyResourceChange.Response(new_state=_dv(new), private=request.planned_private)

    def ImportResourceState(self, request: Any, context: Any) -> Any:
        block = schema.resource(request.type_name)
        state = {name: None for name in block["a"]}
        state.update({name: ([] if mode != "single" else None) for name, (mode, *_r) in block["b"].items()})
        state["id"] = request.id
        return pb.ImportResourceState.Response(
            imported_resources=[pb.ImportResourceState.ImportedResource(type_name=request.type_name, state=_dv(state))]
        )

    # -- data sources ----------------------------------------------------------------------------
    def ReadDataSource(self, request: Any, context: Any) -> Any:
        name = request.type_name
        config = read_dynamic_value(request.config) or {}
        state = fill_object(schema.data_source(name), config, name, self.faker)
        if name == "aws_iam_policy_document":
            state["json"] = state["minified_json"] = policy_document_json(config)
            if state.get("minified_json"):
                state["minified_json"] = json.dumps(json.loads(state["json"]), separators=(",", ":"))
        if name == "aws_ssm_parameter" and config.get("value") in (None, Unknown):
            state["value"] = f"arn:aws:ssm:{self.faker.region}:{self.faker.account_id}:parameter/{config.get('name')}"
        if name == "aws_caller_identity":
            state["arn"] = f"arn:aws:iam::{self.faker.account_id}:role/offline-provider"
        return pb.ReadDataSource.Response(state=_dv(state))


SCHEMA_PB_ENV = "BBWS_OFFLINE_AWS_SCHEMA_PB"


def _schema_bytes(request: bytes, context: Any) -> bytes:
    """GetProviderSchema, already serialized: from the file :func:`..install` wrote (Terraform
    starts the provider several times per command; building the message costs ~0.4 s), else built."""
    path = os.environ.get(SCHEMA_PB_ENV)
    if path and os.path.isfile(path):
        with open(path, "rb") as fh:
            return fh.read()
    return schema.provider_schema_response()


class _RawSchema:
    """Stands in for the server while the generated stubs register the Provider service, so
    GetProviderSchema is answered with bytes (no message built or parsed per start)."""

    def __init__(self, server: grpc.Server) -> None:
        self.server = server

    def add_generic_rpc_handlers(self, handlers: Any) -> None:
        pass  # registered below, with the raw GetProviderSchema

    def add_registered_method_handlers(self, service: str, handlers: dict[str, Any]) -> None:
        handlers = dict(handlers)
        handlers["GetProviderSchema"] = grpc.unary_unary_rpc_method_handler(
            _schema_bytes, request_deserializer=lambda b: b, response_serializer=lambda b: b
        )
        self.server.add_generic_rpc_handlers((grpc.method_handlers_generic_handler(service, handlers),))
        self.server.add_registered_method_handlers(service, handlers)


def _server_credentials(client_cert_pem: bytes | None) -> tuple[grpc.ServerCredentials, bytes]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(x509.NameOID.COMMON_NAME, "localhost")])
    now = datetime.now(timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=1))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
        .add_extension(x509.KeyUsage(True, False, True, False, True, True, False, False, False), critical=True)
        .add_extension(
            x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH, x509.oid.ExtendedKeyUsageOID.CLIENT_AUTH]),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    cert_pem = cert.public_bytes(serialization.Encoding.PEM)
    # Terraform (go-plugin AutoMTLS) verifies this certificate, the one in the handshake line. The
    # reverse check cannot be done here: go-plugin's client certificate is ECDSA P-521, which
    # gRPC's BoringSSL does not offer in its CertificateRequest, so Go sends no certificate and a
    # server requiring one fails the handshake (measured). The socket lives in a private 0700
    # temporary directory instead; this provider is for tests only.
    del client_cert_pem
    creds = grpc.ssl_server_credentials([(key_pem, cert_pem)], require_client_auth=False)
    return creds, cert.public_bytes(serialization.Encoding.DER)


def serve() -> int:
    if os.environ.get(MAGIC_COOKIE_KEY) != MAGIC_COOKIE_VALUE:
        print("This binary is a plugin. It is started by Terraform, not run directly.", file=sys.stderr)
        return 1
    client_cert = os.environ.get("PLUGIN_CLIENT_CERT")
    stopped: dict[str, bool] = {"now": False}

    server = grpc.server(futures.ThreadPoolExecutor(max_workers=8))
    rpc.add_ProviderServicer_to_server(OfflineAws(stopped), _RawSchema(server))

    class Controller(controller_rpc.GRPCControllerServicer):
        def Shutdown(self, request: Any, context: Any) -> Any:
            stopped["now"] = True
            return controller_pb.Empty()

    class Stdio(stdio_rpc.GRPCStdioServicer):
        def StreamStdio(self, request: Any, context: Any) -> Any:
            return iter(())

    controller_rpc.add_GRPCControllerServicer_to_server(Controller(), server)
    stdio_rpc.add_GRPCStdioServicer_to_server(Stdio(), server)

    with tempfile.TemporaryDirectory(prefix="tf-offline-aws-") as tmp:
        sock = os.path.join(tmp, "plugin.sock")
        creds, cert_der = _server_credentials(client_cert.encode() if client_cert else None)
        server.add_secure_port(f"unix://{sock}", creds)
        server.start()
        cert_b64 = base64.b64encode(cert_der).decode().rstrip("=")
        sys.stdout.write(f"1|6|unix|{sock}|grpc|{cert_b64}\n")
        sys.stdout.flush()
        try:
            while not stopped["now"]:
                server.wait_for_termination(0.05)
        except KeyboardInterrupt:
            pass
        server.stop(grace=0.2)
    return 0
