//! A simulated endpoint: file system, processes, network, users, registry, and the RTR commands that act on them.
