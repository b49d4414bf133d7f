"""Demo and national-scale data: seeds every domain app, in the order a program year runs.

The top floor beside ``config``: it imports every domain app's seeding, and nothing imports it.
"""
