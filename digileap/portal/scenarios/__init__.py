"""The seed programmes played at their real size through the services (``manage.py load_seed_scenario``)."""
