-- Question: How many customers are there in each region?
-- Description: Registered customers per region, whether or not they have ordered.
SELECT r.name AS region,
       COUNT(c.customer_id) AS customers
FROM regions AS r
LEFT JOIN customers AS c ON c.region_id = r.region_id
GROUP BY r.region_id, r.name
ORDER BY customers DESC;
