"""Certificates: numbers, the seal image, issuing and revoking, and the public verification page."""
