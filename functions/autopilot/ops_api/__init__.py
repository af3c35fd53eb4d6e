"""The ops API: FastAPI behind API Gateway (IAM auth) through Mangum."""
