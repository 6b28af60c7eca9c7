"""Who may do what on a shared server: accounts, roles and permissions, and the rules
for serving beyond this computer."""
