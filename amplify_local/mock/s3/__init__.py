"""mock/s3."""
