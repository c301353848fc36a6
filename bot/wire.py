"""Bot Framework models to and from their JSON wire form, fast.

msrest's generic ``Serializer``/``Deserializer`` re-derive every model's shape
on each call (key-transformer regexes, validation, per-attribute dispatch):
about 3 ms to serialise one reply carrying an Adaptive Card and 1 ms to read
one incoming activity on a 2-core machine, the largest costs of a turn once
connector clients are pooled. The models describe themselves completely in
their ``_attribute_map`` (attribute -> JSON key and type), so we compile one
plan per model class, once, and follow it.

Semantics match msrest for the types the Bot Framework schema uses (``str``,
``bool``, ``int``, ``long``, ``float``, ``object``, ``iso-8601``, ``[T]``,
``{T}`` and model names): ``None`` attributes are omitted, unknown JSON keys
are ignored, model names resolve against botbuilder.schema (+ teams). Dates
use msrest's own ISO functions. ``tests/bot/test_wire.py`` checks equality with
msrest on realistic activities, so a schema change underneath is caught.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import orjson
from botbuilder import schema
from botbuilder.schema import teams as teams_schema
from msrest.serialization import Deserializer, Model, Serializer

_MODELS: dict[str, type[Model]] = {}
for _module in (schema, teams_schema):
    for _name, _value in vars(_module).items():
        if isinstance(_value, type) and issubclass(_value, Model):
            _MODELS.setdefault(_name, _value)

Encoder = Callable[[Any], Any]
Decoder = Callable[[Any], Any]

_plain = (str, int, float, bool)


def _identity(value: Any) -> Any:
    return value


def _encode_object(value: Any) -> Any:
    # "object" attributes hold JSON already (channelData, value, card content):
    # passed through without copying. A model nested inside one (rare: a hero
    # card built with CardFactory) is written by json_default when dumped.
    return to_wire(value) if isinstance(value, Model) else value


def json_default(value: Any) -> Any:
    """``json.dumps(default=...)`` hook for models nested in JSON values."""
    if isinstance(value, Model):
        return to_wire(value)
    if isinstance(value, dt.datetime):
        return Serializer.serialize_iso(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def dumps(value: Any) -> bytes:
    """Compact UTF-8 JSON of a wire dict (orjson: several times faster than ``json`` on a card).

    Datetimes nested in JSON values are written by :func:`json_default` (msrest's
    ISO form), not orjson's own, so the bytes match what botbuilder would send.
    """
    return orjson.dumps(value, default=json_default, option=orjson.OPT_PASSTHROUGH_DATETIME)


def _encode_iso(value: Any) -> Any:
    return Serializer.serialize_iso(value) if isinstance(value, dt.datetime) else value


def _decode_iso(value: Any) -> Any:
    return Deserializer.deserialize_iso(value) if isinstance(value, str) else value


def _encoder(type_name: str) -> Encoder:
    if type_name in ("str", "bool", "int", "long", "float"):
        return _identity
    if type_name == "object":
        return _encode_object
    if type_name == "iso-8601":
        return _encode_iso
    if type_name.startswith("[") and type_name.endswith("]"):
        inner = _encoder(type_name[1:-1])
        return lambda items: [inner(i) for i in items] if isinstance(items, list) else items
    if type_name.startswith("{") and type_name.endswith("}"):
        inner = _encoder(type_name[1:-1])
        return lambda items: {k: inner(v) for k, v in items.items()} if isinstance(items, dict) else items
    if type_name in _MODELS:
        return lambda value: to_wire(value) if isinstance(value, Model) else _encode_object(value)
    return _encode_object  # an enum or a type we do not know: leave JSON-able values as they are


def _decoder(type_name: str) -> Decoder:
    if type_name in ("str", "bool", "int", "long", "float", "object"):
        return _identity
    if type_name == "iso-8601":
        return _decode_iso
    if type_name.startswith("[") and type_name.endswith("]"):
        inner = _decoder(type_name[1:-1])
        return lambda items: [inner(i) for i in items] if isinstance(items, list) else items
    if type_name.startswith("{") and type_name.endswith("}"):
        inner = _decoder(type_name[1:-1])
        return lambda items: {k: inner(v) for k, v in items.items()} if isinstance(items, dict) else items
    model = _MODELS.get(type_name)
    if model is not None:
        return lambda value: from_wire(model, value) if isinstance(value, dict) else value
    return _identity


_ENCODE_PLANS: dict[type, list[tuple[str, str, Encoder]]] = {}
_DECODE_PLANS: dict[type, dict[str, tuple[str, Decoder | None]]] = {}


def _encode_plan(cls: type[Model]) -> list[tuple[str, str, Encoder]]:
    plan = _ENCODE_PLANS.get(cls)
    if plan is None:
        plan = [(attr, spec["key"], _encoder(spec["type"])) for attr, spec in cls._attribute_map.items()]
        _ENCODE_PLANS[cls] = plan
    return plan


def _decode_plan(cls: type[Model]) -> dict[str, tuple[str, Decoder | None]]:
    """JSON key -> (attribute, decoder or None when the JSON value is used as it is)."""
    plan = _DECODE_PLANS.get(cls)
    if plan is None:
        plan = {}
        for attr, spec in cls._attribute_map.items():
            decode = _decoder(spec["type"])
            plan[spec["key"]] = (attr, None if decode is _identity else decode)
        _DECODE_PLANS[cls] = plan
    return plan


def to_wire(model: Model) -> dict[str, Any]:
    """The JSON dict msrest's ``Serializer.body`` would produce for ``model``."""
    out: dict[str, Any] = {}
    for attr, key, encode in _encode_plan(type(model)):
        value = getattr(model, attr, None)
        if value is None:
            continue
        if key == "":
            # msrest sends unknown properties back only for models enabled to (key '').
            out.update(value)
        else:
            out[key] = value if type(value) in _plain else encode(value)
    return out


def from_wire(cls: type[Model], data: dict[str, Any]) -> Any:
    """A ``cls`` model from its JSON dict, as msrest's ``Deserializer`` would build it."""
    kwargs: dict[str, Any] = {}
    extra: dict[str, Any] = {}
    plan = _decode_plan(cls)
    for key, value in data.items():
        entry = plan.get(key)
        if entry is None:
            extra[key] = value  # msrest keeps unknown keys and writes them back out
        elif value is not None:
            attr, decode = entry
            kwargs[attr] = value if decode is None else decode(value)
    instance = cls(**kwargs)
    instance.additional_properties = extra
    return instance
