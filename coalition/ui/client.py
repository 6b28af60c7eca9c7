"""Where a dashboard request comes from, for the limits kept per address (survey links,
sign-in)."""

from __future__ import annotations

import ipaddress

import streamlit as st

__all__ = ["client_address"]


def client_address() -> str:
    """The address a try comes from: the peer Streamlit saw, unless that peer is a proxy
    on this computer or a private network; then the last address its X-Forwarded-For
    names, the one that proxy wrote (a client can forge those before it, not that one)."""
    peer = st.context.ip_address
    peer = peer if isinstance(peer, str) else ""
    headers = {str(k).lower(): v for k, v in dict(st.context.headers).items()}
    forwarded = [a.strip() for a in str(headers.get("x-forwarded-for") or "").split(",") if a.strip()]
    if forwarded and (not peer or _behind_proxy(peer)):
        return forwarded[-1]
    return peer or "unknown"


def _behind_proxy(peer: str) -> bool:
    try:
        address = ipaddress.ip_address(peer)
    except ValueError:
        return False
    return address.is_loopback or address.is_private
