"""Every rule of the model as a small pure function on floats and arrays alike, each naming its source in
docs/model.md: confidence and the trust game (``confidence``), salience (``salience``), bargaining (``bargaining``)
and ratification at home (``ratification``)."""
