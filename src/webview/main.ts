// Dashboard browser code: filled in with the dashboard.
