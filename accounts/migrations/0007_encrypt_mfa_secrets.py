"""Encrypts the TOTP secrets and recovery-code seeds stored in plain text before accounts.mfa
(MFA_ENCRYPTION_KEY). Backwards decrypts them again. Each value is checked first, so running it
on a database where some are already encrypted is safe."""

from django.db import migrations

# The fields of an allauth Authenticator's `data` that hold secrets, by type.
SECRET_FIELDS = {"totp": ("secret",), "recovery_codes": ("seed",)}
SECRET_LIST_FIELDS = {"recovery_codes": ("migrated_codes",)}


def _convert(apps, convert):
    Authenticator = apps.get_model("mfa", "Authenticator")
    for authenticator in Authenticator.objects.filter(type__in=SECRET_FIELDS).iterator():
        data = dict(authenticator.data)
        for field in SECRET_FIELDS[authenticator.type]:
            if data.get(field):
                data[field] = convert(data[field])
        for field in SECRET_LIST_FIELDS.get(authenticator.type, ()):
            if data.get(field):
                data[field] = [convert(value) for value in data[field]]
        if data != authenticator.data:
            authenticator.data = data
            authenticator.save(update_fields=["data"])


def encrypt_plain_secrets(apps, schema_editor):
    from accounts.mfa import encrypt_secret, is_encrypted

    _convert(apps, lambda value: value if is_encrypted(value) else encrypt_secret(value))


def decrypt_secrets(apps, schema_editor):
    from accounts.mfa import decrypt_secret, is_encrypted

    _convert(apps, lambda value: decrypt_secret(value) if is_encrypted(value) else value)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0006_form_submission_token"),
        ("mfa", "0003_authenticator_type_uniq"),
    ]

    operations = [migrations.RunPython(encrypt_plain_secrets, decrypt_secrets)]
