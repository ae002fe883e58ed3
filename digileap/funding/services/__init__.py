"""Every write of the funding app: calls (``calls``), entitlements (``entitlements``) and
applications (``applications``). Each service is keyword-only, atomic, authorised and audited."""
