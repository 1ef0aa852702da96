window.PLAYBOOK_SEARCH_TERMS=window.PLAYBOOK_SEARCH_TERMS||{};window.PLAYBOOK_SEARCH_TERMS["s"]={"sale":[31],"seats":[6],"service":[14],"situation":[16],"spreadsheets":[12],"staff":[14],"step":[16]};
