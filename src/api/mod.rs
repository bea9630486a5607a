//! The HTTP layer (actix-web): handlers, request/response types, auth, limits.
