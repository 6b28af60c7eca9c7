"""Relationship surveys: each organization reports its own ties, needs and consent.

A round (``links``) sends every organization one private link; its answer (``answers``)
waits in a review queue until an editor accepts or rejects it (``review``); ties reported
by one side only stay unconfirmed until the other side reports them too (``review``);
``messages`` holds the invitation and reminder texts and ``sheet`` the spreadsheet form
for groups that answer by email or on paper.
"""
