"""Invitation, reminder and "new groups joined" texts for a coordinator to copy and send.

Sending is the coordinator's: the tool never emails anyone. Each text carries the
organization's own link and is written in its language where a template exists (its
first listed language that has one), else in English. Names are inserted as given.
"""

from __future__ import annotations

from typing import Any

from coalition.domain.vocabulary import template_languages

__all__ = ["MESSAGE_KINDS", "message_for"]

MESSAGE_KINDS = ("invitation", "reminder", "new_groups")

TEMPLATES: dict[str, dict[str, str]] = {
    "en": {
        "invitation": (
            "Hello {name},\n\nOur coalition is updating its map of who works with whom. Could you tell us, in "
            "your own words, which groups you work with, what you need and offer, and whether we may suggest "
            "introductions to you? You decide what others may see.\n\nYour private link (please do not share "
            "it): {url}\n{expires}\nThank you!"
        ),
        "reminder": (
            "Hello {name},\n\nA friendly reminder: we have not yet heard from you for the coalition map. It takes "
            "about ten minutes, and you decide what others may see.\n\nYour private link: {url}\n{expires}\nThank you!"
        ),
        "new_groups": (
            "Hello {name},\n\nNew groups have joined the coalition map since you last answered. If you work with "
            "any of them, you can add them here: {url}\n{expires}\nThank you!"
        ),
        "expires": "The link works until {date}.\n",
    },
    "es": {
        "invitation": (
            "Hola, {name}:\n\nNuestra coalición está actualizando su mapa de quién trabaja con quién. ¿Nos "
            "pueden contar, con sus propias palabras, con qué grupos trabajan, qué necesitan y qué ofrecen, y si "
            "podemos sugerirles presentaciones? Ustedes deciden qué pueden ver los demás.\n\nSu enlace privado "
            "(por favor, no lo compartan): {url}\n{expires}\n¡Gracias!"
        ),
        "reminder": (
            "Hola, {name}:\n\nUn recordatorio amable: todavía no tenemos su respuesta para el mapa de la "
            "coalición. Toma unos diez minutos y ustedes deciden qué pueden ver los demás.\n\nSu enlace privado: "
            "{url}\n{expires}\n¡Gracias!"
        ),
        "new_groups": (
            "Hola, {name}:\n\nDesde su última respuesta se han sumado nuevos grupos al mapa de la coalición. Si "
            "trabajan con alguno, pueden añadirlo aquí: {url}\n{expires}\n¡Gracias!"
        ),
        "expires": "El enlace funciona hasta el {date}.\n",
    },
}


def language_of(org: dict[str, Any]) -> str:
    """The template language for an organization: its first listed language we have."""
    return next(iter(template_languages(org)), "en")


def message_for(kind: str, org: dict[str, Any], url: str, expires: str | None = None) -> dict[str, str]:
    """``{"language", "text"}`` of one message to one organization."""
    language = language_of(org)
    template = TEMPLATES[language]
    until = template["expires"].format(date=expires) if expires else ""
    return {"language": language, "text": template[kind].format(name=org["name"], url=url, expires=until)}
