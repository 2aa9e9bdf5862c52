"""During IDLE an empty check on a readable socket is a lost server only at end of file:
bytes the client has not parsed yet (part of a TLS record, a late response) are not."""

from __future__ import annotations

import socket

from pipeline.fetch.imap import _server_left


def test_a_readable_socket_with_unparsed_bytes_is_not_a_lost_server() -> None:
    ours, server = socket.socketpair()
    with ours, server:
        server.sendall(b"* 3 EXI")  # a response still arriving
        assert _server_left([], ours) is False


def test_a_socket_at_end_of_file_is_a_lost_server() -> None:
    ours, server = socket.socketpair()
    with ours:
        server.close()
        assert _server_left([], ours) is True


def test_a_quiet_socket_is_not_a_lost_server() -> None:
    ours, server = socket.socketpair()
    with ours, server:
        assert _server_left([], ours) is False


def test_a_bye_is_a_lost_server_whatever_the_socket_says() -> None:
    ours, server = socket.socketpair()
    with ours, server:
        assert _server_left([(b"BYE", b"Server shutting down")], ours) is True
