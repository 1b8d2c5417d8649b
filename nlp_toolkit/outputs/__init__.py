"""What leaves the toolkit: result tables, renderers, exports, the HTML report and figures."""
