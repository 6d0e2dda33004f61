"""Exports (CSV, XLSX, ZIP), printable PDFs (award list, certificates), paper score import."""
