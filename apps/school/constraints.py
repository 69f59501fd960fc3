"""A database-level guarantee that a row and the rows it points at belong to the same school.

Django has no composite foreign keys, so this constraint emits one:
``FOREIGN KEY (school_id, student_id) REFERENCES school_student (school_id, id)``.
It works inline in CREATE TABLE (SQLite remakes tables to add constraints) and through
ALTER TABLE on PostgreSQL. The referenced model declares ``UniqueConstraint(school, id)``.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db.models import BaseConstraint


class SameSchool(BaseConstraint):
    def __init__(self, *, field: str, to: str, name: str, **kwargs):
        self.field = field
        self.to = to
        super().__init__(name=name, **kwargs)

    def _parts(self, model, schema_editor):
        # Our tables keep Django's default names, so the target's table follows from its label;
        # that avoids the migration state's app registry, which may hold only part of the models.
        app_label, model_name = self.to.split(".")
        target_table = f"{app_label}_{model_name.lower()}"
        column = model._meta.get_field(self.field).column
        school_column = model._meta.get_field("school").column
        q = schema_editor.quote_name
        return (
            f"FOREIGN KEY ({q(school_column)}, {q(column)}) "
            f"REFERENCES {q(target_table)} ({q('school_id')}, {q('id')}) "
            "DEFERRABLE INITIALLY DEFERRED"
        )

    def constraint_sql(self, model, schema_editor):
        return f"CONSTRAINT {schema_editor.quote_name(self.name)} {self._parts(model, schema_editor)}"

    def create_sql(self, model, schema_editor):
        table = schema_editor.quote_name(model._meta.db_table)
        return f"ALTER TABLE {table} ADD {self.constraint_sql(model, schema_editor)}"

    def remove_sql(self, model, schema_editor):
        table = schema_editor.quote_name(model._meta.db_table)
        return f"ALTER TABLE {table} DROP CONSTRAINT {schema_editor.quote_name(self.name)}"

    def validate(self, model, instance, exclude=None, using=None):
        field = model._meta.get_field(self.field)
        if exclude and (self.field in exclude or "school" in exclude):
            return
        target_id = getattr(instance, field.attname)
        if target_id is None or instance.school_id is None:
            return
        from django.apps import apps

        target = apps.get_model(self.to)
        if not target._default_manager.using(using).filter(pk=target_id, school_id=instance.school_id).exists():
            raise ValidationError({self.field: "belongs to another school"}, code="other_school")

    def deconstruct(self):
        path, args, kwargs = super().deconstruct()
        kwargs.update(field=self.field, to=self.to)
        return path, args, kwargs

    def __eq__(self, other):
        if isinstance(other, SameSchool):
            return (self.name, self.field, self.to) == (other.name, other.field, other.to)
        return super().__eq__(other)


def same_school(model_name: str, field: str, to: str) -> SameSchool:
    """The constraint for ``model_name.field`` pointing at ``to`` ("app.Model")."""
    return SameSchool(field=field, to=to, name=f"{model_name}_{field}_same_school")


def same_school_last(operations: list) -> list:
    """Reorder a migration's operations so every SameSchool constraint is added after all
    tables and their (school, id) keys exist (PostgreSQL needs the referenced key first).
    Wrap the operations of any migration that creates models with SameSchool constraints."""
    from django.db.migrations.operations import AddConstraint, CreateModel

    ordered, deferred = [], []
    for operation in operations:
        if isinstance(operation, CreateModel):
            constraints = operation.options.get("constraints", [])
            for constraint in constraints:
                if isinstance(constraint, SameSchool):
                    deferred.append(AddConstraint(model_name=operation.name.lower(), constraint=constraint))
            operation.options["constraints"] = [c for c in constraints if not isinstance(c, SameSchool)]
            ordered.append(operation)
        elif isinstance(operation, AddConstraint) and isinstance(operation.constraint, SameSchool):
            deferred.append(operation)
        else:
            ordered.append(operation)
    return ordered + deferred
