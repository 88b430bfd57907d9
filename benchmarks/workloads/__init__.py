"""The programs the rows time, each written once and run by every library
that can (a module argument ``lib`` is ``symgrad`` or ``torch``)."""
