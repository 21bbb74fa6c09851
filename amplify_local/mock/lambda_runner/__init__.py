"""mock/lambda_runner."""
