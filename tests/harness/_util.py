"""Process and port helpers, shared with the demo (which runs the same servers)."""

from pipeline.demo.processes import (
    LOOPBACK,
    Cleanup,
    ManagedServer,
    free_port,
    popen,
    port_accepts,
    remove_tree,
    stop_process,
    tail,
    wait_until,
)

__all__ = [
    "LOOPBACK",
    "Cleanup",
    "ManagedServer",
    "free_port",
    "popen",
    "port_accepts",
    "remove_tree",
    "stop_process",
    "tail",
    "wait_until",
]
