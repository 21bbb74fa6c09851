"""mock/appsync/datasources."""
