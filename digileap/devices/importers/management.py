"""(filled in by the management work)"""
