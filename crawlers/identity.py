"""Who a worker is to the sites it crawls: a name, and the outgoing address or proxy its
requests leave through.

Every worker of a fleet has its own identity, read from its own environment (set by
`painmap worker --identity … --proxy …` or by hand), so that each keeps its own cookies and
its own politeness budget per host: a site sees several polite visitors, not one impatient
one. Workers that share a name share the budget (`models.pace`).

    PAINMAP_CRAWL_IDENTITY   the name (default: the machine's host name)
    PAINMAP_CRAWL_PROXY      http(s)://[user:password@]host:port for every request
    PAINMAP_CRAWL_BIND       the local address to send from (a machine with several)
"""

from __future__ import annotations

import os
import socket
from collections.abc import Mapping
from dataclasses import dataclass

IDENTITY_ENV, PROXY_ENV, BIND_ENV = "PAINMAP_CRAWL_IDENTITY", "PAINMAP_CRAWL_PROXY", "PAINMAP_CRAWL_BIND"


@dataclass(frozen=True)
class Identity:
    name: str
    proxy: str | None = None
    bind_address: str | None = None

    def env(self) -> dict[str, str]:
        """The environment variables that give a worker this identity."""
        values = {IDENTITY_ENV: self.name, PROXY_ENV: self.proxy, BIND_ENV: self.bind_address}
        return {k: v for k, v in values.items() if v}


def identity_from(env: Mapping[str, str] | None = None) -> Identity:
    """This worker's identity, from its environment."""
    env = os.environ if env is None else env
    return Identity(name=(env.get(IDENTITY_ENV) or "").strip() or socket.gethostname(),
                    proxy=(env.get(PROXY_ENV) or "").strip() or None,
                    bind_address=(env.get(BIND_ENV) or "").strip() or None)
