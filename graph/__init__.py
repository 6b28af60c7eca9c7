"""Graph infrastructure: the store interface and its backends, networkx graphs built
from a store snapshot, generic graph algorithms, and map rendering.

Nothing here knows about consent or audiences beyond visibility filters: that is the
domain's job, in ``coalition``.
"""
