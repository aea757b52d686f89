# Read by the README and by whoever wires the image into the tenants' ECS task definitions.

output "repository_url" {
  description = "Registry URL of the WordPress image repository."
  value       = aws_ecr_repository.wordpress.repository_url
}

output "repository_arn" {
  description = "ARN of the WordPress image repository."
  value       = aws_ecr_repository.wordpress.arn
}
