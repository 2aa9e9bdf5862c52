"""Test harness: real servers (Dovecot, moto, SMTP, Ceph RGW, HTTP sinks) started on loopback.

Every server here binds 127.0.0.1 on a free high port, keeps all of its files under a
temporary directory and is stopped (with its temporary directory removed) when the
test session ends, even when it ends with an error.
"""
