# The WordPress image repository of this environment: scanned on push, immutable tags, KMS
# encryption, and a lifecycle policy that never touches an image tagged as deployed.

resource "aws_ecr_repository" "wordpress" {
  name                 = var.repository_name
  image_tag_mutability = "IMMUTABLE"
  force_delete         = false

  image_scanning_configuration {
    scan_on_push = true
  }

  encryption_configuration {
    encryption_type = "KMS"
    kms_key         = var.kms_key_arn
  }
}

# ECR applies the rules in priority order, and an image selected by one rule is never expired by a
# later one: 1 shields deployed images, 2 keeps the newest version-tagged builds, 3 ages out the rest.
resource "aws_ecr_lifecycle_policy" "wordpress" {
  repository = aws_ecr_repository.wordpress.name

  policy = jsonencode({
    rules = [
      {
        rulePriority = 1
        description  = "Never expire images tagged as deployed"
        selection = {
          tagStatus      = "tagged"
          tagPatternList = ["${var.deployed_tag_prefix}*"]
          countType      = "imageCountMoreThan"
          countNumber    = 9999
        }
        action = { type = "expire" }
      },
      {
        rulePriority = 2
        description  = "Keep the newest ${var.keep_images} version-tagged images"
        selection = {
          tagStatus      = "tagged"
          tagPatternList = ["*-wpcli-*"]
          countType      = "imageCountMoreThan"
          countNumber    = var.keep_images
        }
        action = { type = "expire" }
      },
      {
        rulePriority = 3
        description  = "Expire every other image ${var.expire_days} days after its push"
        selection = {
          tagStatus   = "any"
          countType   = "sinceImagePushed"
          countUnit   = "days"
          countNumber = var.expire_days
        }
        action = { type = "expire" }
      },
    ]
  })
}

# Promotion: the next environment's deploy role copies images out of this repository.
resource "aws_ecr_repository_policy" "promotion_pull" {
  count      = length(var.pull_account_ids) > 0 ? 1 : 0
  repository = aws_ecr_repository.wordpress.name

  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "PromotionPull"
        Effect    = "Allow"
        Principal = { AWS = [for a in var.pull_account_ids : "arn:${local.partition}:iam::${a}:root"] }
        Action = [
          "ecr:BatchCheckLayerAvailability",
          "ecr:BatchGetImage",
          "ecr:DescribeImages",
          "ecr:GetDownloadUrlForLayer",
        ]
      },
    ]
  })
}
