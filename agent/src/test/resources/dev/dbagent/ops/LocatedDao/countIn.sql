SELECT count(*) FROM person WHERE country = :country
