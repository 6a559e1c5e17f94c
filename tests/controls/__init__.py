"""Controls matter: each control of the SecureCart landscape, removed or weakened in a copy of
the landscape, makes the scenarios that document it fail (mutation testing of the features)."""
