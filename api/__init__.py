"""The HTTP API: a thin Litestar app over the repositories (see api.app.create_app)."""
