"""Build the PATCH form of a create schema: every field optional (absent = unchanged), and
``null`` accepted exactly where the create schema accepts it."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, Field, create_model


def partial_model(name: str, base: type[BaseModel]) -> type[BaseModel]:
    fields: dict[str, Any] = {}
    for field_name, info in base.model_fields.items():
        annotation: Any = info.annotation
        if info.metadata:
            annotation = Annotated[(annotation, *info.metadata)]
        # The default None is never validated: it only marks the field as absent.
        fields[field_name] = (annotation, Field(None, description=info.description))
    model: type[BaseModel] = create_model(
        name, __base__=base.__base__, **fields
    )
    model.__doc__ = f"Partial update: only the fields present are changed ({base.__name__})."
    return model
