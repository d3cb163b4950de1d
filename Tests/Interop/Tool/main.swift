import PortalModel
print("placeholder")
