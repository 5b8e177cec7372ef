"""Object storage: providers (local disk, S3) behind one protocol, keys, uploads and serving."""
