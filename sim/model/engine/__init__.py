"""The vectorised engine: R replicates of a scenario advancing together, each rule one array operation over
replicates × dyads × ministries (``engine``; a party at the talks: ``talks``)."""
