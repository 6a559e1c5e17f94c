"""SecureCart access harness: a local, emulated AWS where access-control designs are proven."""

__version__ = "0.1.0"
