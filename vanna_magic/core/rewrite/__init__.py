"""Rules that mend the model's SQL before the firewall checks it."""
