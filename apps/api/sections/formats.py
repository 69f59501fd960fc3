"""JSON and XML as the section-style dialect writes and reads them: the answer follows
``Accept``, a body follows ``Content-Type``; XML has a ``<result>`` root and repeated elements."""

from __future__ import annotations

import json
from xml.etree import ElementTree as ET  # noqa: S405 - only builds our own output; input goes through defusedxml

from defusedxml import DefusedXmlException
from defusedxml import ElementTree as SafeET
from rest_framework import exceptions
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.parsers import BaseParser
from rest_framework.renderers import BaseRenderer

from apps.api.parsers import read_body

XML_DECLARATION = b'<?xml version="1.0" encoding="utf-8" ?>\n'
XML_MEDIA_TYPES = ("text/xml", "application/xml")


class SectionsJSONRenderer(BaseRenderer):
    media_type = "application/json"
    format = "json"
    charset = None  # JSON is UTF-8 by definition

    def render(self, data, accepted_media_type=None, renderer_context=None) -> bytes:
        if data is None:
            return b""
        return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()


def _text(value) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return "1" if value else "0"
    return str(value)


def _fill(element: ET.Element, value) -> None:
    """A dict becomes child elements; a list under key K becomes repeated <K> elements; a
    scalar becomes text (none for empty, which serialises as ``<comment />``)."""
    if isinstance(value, dict):
        for key, child in value.items():
            items = child if isinstance(child, list) else [child]
            for item in items:
                _fill(ET.SubElement(element, key), item)
    else:
        element.text = _text(value)


def to_xml(data) -> bytes:
    root = ET.Element("result")
    _fill(root, data)
    ET.indent(root, space="    ")
    return XML_DECLARATION + ET.tostring(root, encoding="unicode").encode() + b"\n"


class SectionsXMLRenderer(BaseRenderer):
    media_type = "application/xml"
    format = "xml"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None) -> bytes:
        if data is None:
            return b""
        return to_xml(data)


class SectionsTextXMLRenderer(SectionsXMLRenderer):
    media_type = "text/xml"


class SectionsJSONParser(BaseParser):
    media_type = "application/json"

    def parse(self, stream, media_type=None, parser_context=None):
        raw = read_body(stream)
        if not raw.strip():
            raise exceptions.ParseError("The request body is empty")
        try:
            return json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as error:
            raise exceptions.ParseError(f"The request body is not valid JSON: {error}") from None
        except RecursionError:
            raise exceptions.ParseError("The request body is not valid JSON: nested too deeply") from None


def _from_element(element) -> dict | str:
    children = list(element)
    if not children:
        return (element.text or "").strip()
    data: dict = {}
    for child in children:
        value = _from_element(child)
        if child.tag in data:
            if not isinstance(data[child.tag], list):
                data[child.tag] = [data[child.tag]]
            data[child.tag].append(value)
        else:
            data[child.tag] = value
    return data


def from_xml(raw: bytes) -> dict | str:
    """Parse untrusted XML: any DTD (so any entity, internal or external) is refused."""
    try:
        root = SafeET.fromstring(raw, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException:
        raise exceptions.ParseError("XML with a DTD or entities is not accepted") from None
    except SafeET.ParseError as error:
        raise exceptions.ParseError(f"The request body is not well-formed XML: {error}") from None
    try:
        return _from_element(root)
    except RecursionError:
        raise exceptions.ParseError("The request body is XML nested too deeply") from None


class SectionsXMLParser(BaseParser):
    """Reads ``<result>`` (or any root) into the same shape as the JSON body; one element
    stays a dict, repeated elements become a list (callers accept both)."""

    media_type = "application/xml"

    def parse(self, stream, media_type=None, parser_context=None):
        raw = read_body(stream)
        if not raw.strip():
            raise exceptions.ParseError("The request body is empty")
        return from_xml(raw)


class SectionsTextXMLParser(SectionsXMLParser):
    media_type = "text/xml"


def _accepted(header: str) -> list[str]:
    """Media types of an Accept header, most wanted first (a stable sort keeps ties in order)."""
    ranked = []
    for position, part in enumerate(header.split(",")):
        media, *params = (p.strip() for p in part.split(";"))
        quality = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if media and quality > 0:
            ranked.append((-quality, position, media.lower()))
    return [media for _, _, media in sorted(ranked)]


class SectionsNegotiation(BaseContentNegotiation):
    """JSON unless the client asks for XML; never a 406 (clients send all sorts of Accept)."""

    def select_parser(self, request, parsers):
        content_type = request.content_type.split(";")[0].strip().lower()
        wanted = content_type if content_type in XML_MEDIA_TYPES else "application/json"
        return next(p for p in parsers if p.media_type == wanted)

    def select_renderer(self, request, renderers, format_suffix=None):
        by_type = {r.media_type: r for r in renderers}
        for media in _accepted(request.META.get("HTTP_ACCEPT", "")):
            if media in XML_MEDIA_TYPES:
                return by_type[media], media
            if media in ("application/json", "application/*", "*/*"):
                break
        json_renderer = by_type["application/json"]
        return json_renderer, json_renderer.media_type
