"""The product's shared vocabulary: small, pure pieces every other package may import.
It imports nothing of ours."""
