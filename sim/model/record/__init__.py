"""What a run records (``records``: one typed record per kind; ``recorder``: the recorder and the snapshot it hands
over), the tidy tables and summaries built from it (``result``), and its acts as CAMEO event data (``acts``)."""
