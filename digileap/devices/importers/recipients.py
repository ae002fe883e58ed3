"""(filled in by the recipients work)"""
