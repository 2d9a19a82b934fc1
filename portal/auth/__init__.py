"""The portal's own entrance: first-factor providers, the second factor and their pages.

Parents and youths log in here, never at the workplace's login (docs/portal-authentication.md).
The first factor is pluggable (`providers`); the second is a TOTP app or a one-time e-mail code
(`second_factor`, on django-otp); `portal.middleware` lets no citizen past without both.
"""
