"""mock/dynamodb."""
