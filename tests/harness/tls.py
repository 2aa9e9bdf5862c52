"""Self-signed TLS files for test servers (shared with the demo)."""

from pipeline.demo.tls import TlsFiles, make_tls_files

__all__ = ["TlsFiles", "make_tls_files"]
