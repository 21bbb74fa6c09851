"""mock/appsync."""
