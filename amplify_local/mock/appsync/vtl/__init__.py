"""mock/appsync/vtl."""
