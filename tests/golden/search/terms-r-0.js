window.PLAYBOOK_SEARCH_TERMS=window.PLAYBOOK_SEARCH_TERMS||{};window.PLAYBOOK_SEARCH_TERMS["r-0"]={"releases":[31],"renewal":[0,5],"renews":[6],"reseller":[4],"roles":[24]};
