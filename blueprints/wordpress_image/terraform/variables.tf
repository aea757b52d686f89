# Inputs of the WordPress image repository; per-environment values live in environments/<env>.tfvars.

variable "environment" {
  description = "Deployment environment (dev, sit or prod)."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9]{1,9}$", var.environment))
    error_message = "The environment must be a short lower-case name such as dev, sit or prod."
  }
}

variable "aws_account_id" {
  description = "AWS account the environment lives in; the provider refuses any other."
  type        = string

  validation {
    condition     = can(regex("^[0-9]{12}$", var.aws_account_id))
    error_message = "The AWS account id must be 12 digits."
  }
}

variable "aws_region" {
  description = "Region of the environment's ECR repository."
  type        = string
}

variable "repository_name" {
  description = "Name of the ECR repository (the same in every account)."
  type        = string
  default     = "bbws-wordpress"
}

variable "keep_images" {
  description = "Version-tagged images (<wp>-wpcli-<version>) kept; older ones expire."
  type        = number
  default     = 10

  validation {
    condition     = var.keep_images >= 1
    error_message = "Keep at least one image."
  }
}

variable "expire_days" {
  description = "Days after which images without a version tag (untagged layers, other tags) expire."
  type        = number
  default     = 90

  validation {
    condition     = var.expire_days >= 1
    error_message = "Images must be kept at least one day."
  }
}

variable "deployed_tag_prefix" {
  description = "Images with a tag starting with this prefix are in use and never expire."
  type        = string
  default     = "deployed"
}

variable "kms_key_arn" {
  description = "Customer-managed KMS key for the repository (null: the AWS-managed aws/ecr key)."
  type        = string
  default     = null
}

variable "pull_account_ids" {
  description = "Accounts of the next environment, which pull from this repository when an image is promoted."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for a in var.pull_account_ids : can(regex("^[0-9]{12}$", a))])
    error_message = "Pull account ids must be 12 digits."
  }
}
