"""A model field that keeps its value encrypted everywhere but in the attribute a caller reads.

The database, `.values()`, fixtures and `repr()` only ever see Fernet ciphertext. Reading the attribute
decrypts lazily, so a wrong key fails where the token is used, with an error that names the row.
"""

from django.db import models

from . import crypto


class Ciphertext(str):
    """A str that is already encrypted: assigning it to the field stores it unchanged."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "Ciphertext(…)"


class EncryptedAttribute:
    def __init__(self, field: "EncryptedTextField"):
        self.field = field

    def __get__(self, instance, owner=None):
        if instance is None:
            return self
        stored = instance.__dict__.get(self.field.attname)
        if not stored:
            return stored
        what = f"{self.field.name} of {type(instance).__name__} {instance.pk}"
        return crypto.decrypt(stored, what=what)

    def __set__(self, instance, value) -> None:
        if value and not isinstance(value, Ciphertext):
            value = Ciphertext(crypto.encrypt(value))
        instance.__dict__[self.field.attname] = value


class EncryptedTextField(models.TextField):
    """Stores secrets (OAuth tokens) encrypted with the keys in TOKEN_ENCRYPTION_KEYS. Empty stays empty."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        kwargs.setdefault("editable", False)
        super().__init__(*args, **kwargs)

    def contribute_to_class(self, cls, name, private_only=False):
        super().contribute_to_class(cls, name, private_only)
        setattr(cls, self.attname, EncryptedAttribute(self))

    def from_db_value(self, value, expression, connection):
        return Ciphertext(value) if value else value

    def pre_save(self, model_instance, add):
        # Save what is stored (ciphertext), not what the attribute returns (plaintext).
        return model_instance.__dict__.get(self.attname, "")

    def get_prep_value(self, value):
        if value and not isinstance(value, Ciphertext):
            # A plaintext lookup value would never match non-deterministic ciphertext: refuse it loudly.
            raise TypeError("Encrypted fields cannot be filtered by plaintext.")
        return super().get_prep_value(value)

    def value_to_string(self, obj) -> str:
        return obj.__dict__.get(self.attname, "")
