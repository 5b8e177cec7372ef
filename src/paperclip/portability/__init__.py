"""Company portability: a company exported to a markdown-first package (COMPANY.md, agents/, projects/,
tasks/, .paperclip.yaml) and imported back, here or into the original Paperclip."""
